-- The shell itself: its dot-commands, files of the initrd (.import,
-- readfile), files it writes (.output, .dump, writefile), and what the
-- build's options make of it.
.print the shell's own commands
.show
.help .import
.help .archive
.bail off
.echo on
SELECT 1 + 1;
.echo off
.nullvalue NULL
.mode csv
CREATE TABLE people(name TEXT, born INTEGER, city TEXT);
.import people.csv people
.mode list
.separator " | "
SELECT * FROM people ORDER BY born;
.separator "|"
.mode insert people
SELECT * FROM people WHERE born < 1900;
.mode quote
SELECT name, NULL, x'00ff', 1.5 FROM people LIMIT 2;
.mode list
.output /tmp/dump.sql
.dump people
.output
SELECT length(readfile('/tmp/dump.sql')) > 100;
.open /tmp/copy.db
.read /tmp/dump.sql
SELECT count(*) FROM people;
SELECT writefile('/tmp/out.txt', 'written by writefile' || char(10));
SELECT readfile('/tmp/out.txt');
SELECT readfile('people.csv') = readfile('./people.csv');
SELECT hex(sqlar_compress(zeroblob(1000))), length(sqlar_uncompress(sqlar_compress(zeroblob(1000)), 1000));
SELECT sha3('abc'), sha3_query('SELECT 1');
.sha3sum
.load /nonexistent/extension
SELECT load_extension('nothere');
.limit length
.dbconfig defensive
.print math and dates
SELECT round(sqrt(2), 12), pow(2, 10), ln(exp(2)), log10(1000), log(2, 8), ceil(-1.5), floor(-1.5), pi();
SELECT date('2024-02-28', '+1 day'), datetime(1700000000, 'unixepoch'), strftime('%j %W %w', '2023-12-31'),
  julianday('2000-01-01 12:00:00'), time('12:34:56', '+90 minutes'), date('2024-01-31', '+1 month');
SELECT printf('%5.2f|%-6s|%x|%,d|%q|%Q|%e', 3.14159, 'ab', 255, 1234567, 'it''s', NULL, 12345.678);
SELECT 9223372036854775807 + 1, -9223372036854775808, 1e308 * 10, 0.1 + 0.2, 1 / 0, 5 % 0, cast('12abc' AS INTEGER);
SELECT upper('ÄÖÜ straße'), lower('ÀB'), length('日本語'), unicode('é'), char(233, 0x1F600), hex('é');
SELECT typeof(randomblob(4)), length(randomblob(16)), length(randomblob(0));
.print files in the working folder
.open rel.db
CREATE TABLE r(x);
INSERT INTO r VALUES ('in the working folder');
.databases
PRAGMA database_list;
.output out.txt
SELECT x FROM r;
.output
SELECT readfile('out.txt');
.print compile options
PRAGMA compile_options;
SELECT sqlite_version(), sqlite_source_id();
