-- Write-ahead logging: the WAL index is a shared mapping of the -shm
-- file, which two connections of the shell (.connection) share; readers
-- keep their snapshot while a writer works, checkpoints move the log
-- into the database.
PRAGMA journal_mode = WAL;
CREATE TABLE t(x INTEGER, y TEXT);
INSERT INTO t VALUES (1, 'one'), (2, 'two');
BEGIN;
INSERT INTO t VALUES (3, 'three');
.connection 1
.open /tmp/t.db
PRAGMA journal_mode;
SELECT count(*) FROM t;
BEGIN;
SELECT sum(x) FROM t;
.connection 0
COMMIT;
SELECT count(*) FROM t;
.connection 1
SELECT sum(x) FROM t;
COMMIT;
SELECT sum(x) FROM t;
INSERT INTO t VALUES (4, 'four');
.connection 0
SELECT group_concat(y, ' ') FROM t;
INSERT INTO t VALUES (5, 'five');
.connection 1
BEGIN IMMEDIATE;
.connection 0
INSERT INTO t VALUES (6, 'six');
.connection 1
ROLLBACK;
.connection 0
.connection close 1
.connection
WITH RECURSIVE c(i) AS (SELECT 7 UNION ALL SELECT i + 1 FROM c WHERE i < 30000)
INSERT INTO t SELECT i, printf('row %d', i) FROM c;
SELECT count(*), sum(x) FROM t;
PRAGMA wal_checkpoint(TRUNCATE);
UPDATE t SET y = upper(y) WHERE x % 1000 = 0;
SELECT count(*) FROM t WHERE y GLOB 'ROW*';
PRAGMA integrity_check;
PRAGMA journal_mode = DELETE;
SELECT count(*) FROM t;
PRAGMA integrity_check;
