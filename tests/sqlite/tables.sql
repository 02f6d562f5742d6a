-- Tables, indexes and joins, with the shell's output modes and a few
-- errors (the shell reports them on stderr and goes on).
CREATE TABLE dept(id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
CREATE TABLE emp(
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  dept INTEGER REFERENCES dept(id),
  salary REAL CHECK (salary > 0),
  hired TEXT
);
CREATE INDEX emp_dept ON emp(dept, salary DESC);
INSERT INTO dept(name) VALUES ('eng'), ('ops'), ('sales'), ('empty');
INSERT INTO emp(name, dept, salary, hired) VALUES
  ('ada', 1, 120000, '2019-03-01'), ('bob', 1, 95000.5, '2020-07-15'),
  ('cyd', 2, 70000, '2018-01-31'), ('dee', 3, 65000, '2021-11-02'),
  ('eve', 3, 72000.25, '2017-05-20'), ('fay', NULL, 50000, '2022-02-28');
SELECT e.name, d.name AS dept, e.salary FROM emp e JOIN dept d ON d.id = e.dept ORDER BY e.id;
.headers on
.mode column
SELECT d.name, count(e.id) AS n, avg(e.salary) AS avg, max(e.hired) AS last
  FROM dept d LEFT JOIN emp e ON e.dept = d.id GROUP BY d.id ORDER BY n DESC, d.name;
.mode box
SELECT name, salary, hired FROM emp WHERE salary BETWEEN 60000 AND 100000 ORDER BY salary;
.mode csv
SELECT * FROM emp WHERE dept IS NULL OR name LIKE '%y%';
.mode line
SELECT name, typeof(salary) AS t, salary * 2 AS twice FROM emp WHERE id = 2;
.mode list
.headers off
EXPLAIN QUERY PLAN SELECT * FROM emp WHERE dept = 1 AND salary > 100;
SELECT name FROM emp WHERE id IN (SELECT id FROM emp WHERE dept IN (1, 2)) ORDER BY name DESC;
SELECT a.name, b.name FROM emp a, emp b WHERE a.dept = b.dept AND a.id < b.id ORDER BY 1, 2;
SELECT dept, group_concat(name, '+') FROM emp GROUP BY dept HAVING count(*) > 1 ORDER BY dept;
UPDATE emp SET salary = salary * 1.1 WHERE dept = 2;
SELECT printf('%.2f', salary) FROM emp WHERE dept = 2;
DELETE FROM emp WHERE hired < '2018-01-01';
SELECT count(*), total(salary) FROM emp;
INSERT INTO dept(name) VALUES ('eng');
INSERT INTO emp(name, dept, salary) VALUES ('neg', 1, -5);
SELECT nosuchcolumn FROM emp;
SELECT 'after the errors', count(*) FROM dept;
ALTER TABLE emp ADD COLUMN email TEXT DEFAULT 'none';
ALTER TABLE emp RENAME COLUMN email TO mail;
SELECT name, mail FROM emp ORDER BY id LIMIT 2;
CREATE VIEW rich AS SELECT name, salary FROM emp WHERE salary > 80000;
SELECT * FROM rich ORDER BY salary DESC;
.schema emp
.tables
.indexes emp
PRAGMA integrity_check;
PRAGMA foreign_key_check;
