-- Full-text search (FTS5 and FTS4) and the R*Tree, as Debian builds them.
CREATE VIRTUAL TABLE notes USING fts5(title, body, tokenize = 'porter unicode61');
INSERT INTO notes(title, body) VALUES
  ('gates', 'Every call between compartments crosses a gate; the gates are generated at link time.'),
  ('memory', 'Protection keys tag pages; a compartment runs with the keys of its own domain.'),
  ('files', 'The virtual file system keeps open files per compartment, and ramfs keeps the bytes.'),
  ('network', 'lwIP runs in a compartment of its own; sockets cross gates too.'),
  ('sqlite', 'SQLite runs unchanged: its unix VFS calls the POSIX layer, which calls the file system.');
SELECT title FROM notes WHERE notes MATCH 'gate' ORDER BY rank;
SELECT title, highlight(notes, 1, '[', ']') FROM notes WHERE notes MATCH 'compartment AND keys';
SELECT title, snippet(notes, 1, '<', '>', '...', 5) FROM notes WHERE notes MATCH 'file*' ORDER BY rank;
SELECT title FROM notes WHERE notes MATCH 'title:sqlite OR body:lwip' ORDER BY title;
SELECT title FROM notes WHERE notes MATCH 'NEAR(file system, 3)';
SELECT title FROM notes WHERE notes MATCH '"runs in a"';
SELECT title, round(bm25(notes), 4) FROM notes WHERE notes MATCH 'runs' ORDER BY bm25(notes), title;
INSERT INTO notes(notes) VALUES ('integrity-check');
INSERT INTO notes(notes) VALUES ('optimize');
DELETE FROM notes WHERE title = 'network';
SELECT count(*) FROM notes WHERE notes MATCH 'gates';
CREATE VIRTUAL TABLE vocab USING fts5vocab(notes, 'row');
SELECT term, doc, cnt FROM vocab WHERE term LIKE 'comp%' ORDER BY term;
SELECT title FROM notes WHERE notes MATCH 'AND';
CREATE VIRTUAL TABLE old USING fts4(body);
INSERT INTO old(body) VALUES ('the quick brown fox'), ('jumps over the lazy dog'), ('quick quick dog');
SELECT docid, body FROM old WHERE body MATCH 'quick' ORDER BY docid;
SELECT docid, offsets(old), length(matchinfo(old)) FROM old WHERE old MATCH 'dog' ORDER BY docid;
SELECT docid FROM old WHERE body MATCH 'qui* NOT fox';
CREATE VIRTUAL TABLE box USING rtree(id, minx, maxx, miny, maxy);
WITH RECURSIVE c(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM c WHERE i < 99)
INSERT INTO box SELECT i, i % 10, i % 10 + 1.5, i / 10, i / 10 + 1.5 FROM c;
SELECT count(*) FROM box WHERE minx >= 2 AND maxx <= 5 AND miny >= 3 AND maxy <= 6;
SELECT id FROM box WHERE minx <= 4.2 AND maxx >= 4.2 AND miny <= 7.7 AND maxy >= 7.7 ORDER BY id;
SELECT rtreecheck('box');
SELECT soundex('Robert'), soundex('Rupert');
