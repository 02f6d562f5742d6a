-- Window functions and common table expressions, recursive ones too.
CREATE TABLE sales(region TEXT, month INTEGER, amount INTEGER);
WITH RECURSIVE m(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM m WHERE x < 12)
INSERT INTO sales SELECT r, x, (x * 37 + length(r) * 101) % 250 + 10
  FROM m, (SELECT 'north' AS r UNION ALL SELECT 'south' UNION ALL SELECT 'west');
SELECT region, month, amount,
  sum(amount) OVER (PARTITION BY region ORDER BY month) AS running,
  rank() OVER (PARTITION BY region ORDER BY amount DESC) AS rk,
  lag(amount) OVER (PARTITION BY region ORDER BY month) AS prev,
  round(avg(amount) OVER (PARTITION BY region ORDER BY month
    ROWS BETWEEN 1 PRECEDING AND 1 FOLLOWING), 2) AS smooth
FROM sales WHERE month <= 4 ORDER BY region, month;
SELECT region, month, ntile(3) OVER w, percent_rank() OVER w, cume_dist() OVER w,
  first_value(month) OVER w, last_value(month) OVER w, nth_value(amount, 2) OVER w
FROM sales WHERE region = 'west' WINDOW w AS (ORDER BY amount) ORDER BY amount, month;
SELECT month, group_concat(region, ',') OVER (ORDER BY month, region
  GROUPS BETWEEN 1 PRECEDING AND CURRENT ROW EXCLUDE TIES) FROM sales WHERE month < 3;
SELECT region, sum(amount) FILTER (WHERE month % 2 = 0) AS even,
  sum(amount) FILTER (WHERE month % 2 = 1) AS odd FROM sales GROUP BY region;
WITH RECURSIVE fib(n, a, b) AS (SELECT 1, 0, 1 UNION ALL SELECT n + 1, b, a + b FROM fib WHERE n < 90)
SELECT n, a FROM fib WHERE n % 15 = 0;
WITH RECURSIVE tree(id, parent, name) AS (VALUES (1, NULL, 'root'), (2, 1, 'usr'), (3, 2, 'bin'),
  (4, 1, 'etc'), (5, 2, 'lib'), (6, 5, 'sqlite')),
walk(id, path, depth) AS (SELECT id, name, 0 FROM tree WHERE parent IS NULL
  UNION ALL SELECT t.id, w.path || '/' || t.name, w.depth + 1 FROM tree t JOIN walk w ON t.parent = w.id
  ORDER BY 3 DESC)
SELECT depth, path FROM walk;
WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c LIMIT 1000)
SELECT count(*), sum(x), min(x), max(x) FROM c;
WITH t AS MATERIALIZED (SELECT region, max(amount) AS top FROM sales GROUP BY region)
SELECT s.region, s.month FROM sales s JOIN t ON s.region = t.region AND s.amount = t.top ORDER BY 1, 2;
WITH RECURSIVE mandel(y, line) AS (
  SELECT -1.0, '' UNION ALL
  SELECT y + 0.25, (WITH RECURSIVE px(x, s) AS (SELECT -2.0, '' UNION ALL
    SELECT x + 0.1, s || (WITH RECURSIVE it(i, zr, zi) AS (SELECT 0, 0.0, 0.0 UNION ALL
      SELECT i + 1, zr * zr - zi * zi + x, 2 * zr * zi + y FROM it WHERE i < 30 AND zr * zr + zi * zi < 4)
      SELECT CASE WHEN max(i) >= 30 THEN '#' ELSE '.' END FROM it)
    FROM px WHERE x < 0.5) SELECT s FROM px ORDER BY length(s) DESC LIMIT 1)
  FROM mandel WHERE y < 1.0)
SELECT line FROM mandel WHERE line <> '';
