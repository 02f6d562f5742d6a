-- A database of several MiB on ramfs: written in one transaction, indexed,
-- half deleted, vacuumed, and checked.
PRAGMA page_size = 4096;
PRAGMA journal_mode = DELETE;
CREATE TABLE big(id INTEGER PRIMARY KEY, k INTEGER, v TEXT);
BEGIN;
WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 40000)
INSERT INTO big SELECT i, (i * 7919) % 40009, printf('%08d-%s', i, substr(hex(zeroblob(40)), 1, 60 + i % 40)) FROM c;
COMMIT;
CREATE INDEX big_k ON big(k);
SELECT count(*), sum(k), sum(length(v)) FROM big;
SELECT page_count * page_size > 4 * 1024 * 1024 FROM pragma_page_count(), pragma_page_size();
SELECT id, k FROM big WHERE k BETWEEN 1000 AND 1010 ORDER BY k;
DELETE FROM big WHERE id % 2 = 0;
SELECT count(*), freelist_count > 0 FROM big, pragma_freelist_count();
PRAGMA integrity_check;
VACUUM;
SELECT freelist_count FROM pragma_freelist_count();
SELECT page_count * page_size > 2 * 1024 * 1024 FROM pragma_page_count(), pragma_page_size();
SELECT count(*), sum(k), max(id) FROM big;
PRAGMA integrity_check;
PRAGMA quick_check;
SELECT name, count(*) > 10 FROM dbstat GROUP BY name ORDER BY name;
ATTACH '/tmp/other.db' AS other;
CREATE TABLE other.copy AS SELECT * FROM big WHERE id < 2000;
SELECT count(*) FROM other.copy;
DETACH other;
.open /tmp/other.db
SELECT count(*), min(id), max(id) FROM copy;
PRAGMA integrity_check;
