-- Transactions, savepoints and rollback, triggers, and the errors that
-- undo a statement but not the transaction around it.
PRAGMA foreign_keys = ON;
CREATE TABLE account(id INTEGER PRIMARY KEY, owner TEXT UNIQUE, balance INTEGER NOT NULL CHECK (balance >= 0));
CREATE TABLE ledger(id INTEGER PRIMARY KEY, account INTEGER REFERENCES account(id) ON DELETE CASCADE,
  delta INTEGER, note TEXT);
CREATE TABLE audit(at INTEGER, what TEXT);
CREATE TRIGGER log_ledger AFTER INSERT ON ledger BEGIN
  UPDATE account SET balance = balance + NEW.delta WHERE id = NEW.account;
  INSERT INTO audit VALUES ((SELECT count(*) FROM audit), 'ledger ' || NEW.note);
END;
CREATE TRIGGER no_big BEFORE INSERT ON ledger WHEN abs(NEW.delta) > 1000 BEGIN
  SELECT RAISE(ABORT, 'delta too large');
END;
CREATE TRIGGER gone AFTER DELETE ON account BEGIN
  INSERT INTO audit VALUES ((SELECT count(*) FROM audit), 'closed ' || OLD.owner);
END;
INSERT INTO account(owner, balance) VALUES ('ada', 100), ('bob', 50);
BEGIN;
INSERT INTO ledger(account, delta, note) VALUES (1, 25, 'pay');
SAVEPOINT a;
INSERT INTO ledger(account, delta, note) VALUES (2, -20, 'fee');
SAVEPOINT b;
INSERT INTO ledger(account, delta, note) VALUES (2, 500, 'bonus');
SELECT owner, balance FROM account ORDER BY id;
ROLLBACK TO b;
SELECT owner, balance FROM account ORDER BY id;
RELEASE a;
INSERT INTO ledger(account, delta, note) VALUES (1, 5000, 'too much');
INSERT INTO ledger(account, delta, note) VALUES (2, -100, 'overdraw');
SELECT owner, balance FROM account ORDER BY id;
COMMIT;
SELECT owner, balance FROM account ORDER BY id;
SELECT * FROM audit ORDER BY at;
BEGIN;
DELETE FROM ledger;
UPDATE account SET balance = 0;
SELECT count(*), sum(balance) FROM account JOIN ledger ON ledger.account = account.id;
ROLLBACK;
SELECT count(*) FROM ledger;
SELECT owner, balance FROM account ORDER BY id;
BEGIN IMMEDIATE;
INSERT INTO account(owner, balance) VALUES ('cyd', 10);
SAVEPOINT s1;
DELETE FROM account WHERE owner = 'ada';
SELECT count(*) FROM ledger;
ROLLBACK TO s1;
SELECT count(*) FROM ledger;
COMMIT;
DELETE FROM account WHERE owner = 'bob';
SELECT count(*) FROM ledger;
SELECT * FROM audit ORDER BY at;
COMMIT;
ROLLBACK;
RELEASE nosuch;
INSERT OR REPLACE INTO account(owner, balance) VALUES ('ada', 1);
INSERT INTO account(owner, balance) VALUES ('ada', 2) ON CONFLICT(owner) DO UPDATE SET balance = balance + excluded.balance;
UPDATE OR IGNORE account SET owner = 'cyd' WHERE owner = 'ada';
SELECT owner, balance FROM account ORDER BY owner;
UPDATE account SET balance = balance + 1 ORDER BY owner LIMIT 1;
SELECT owner, balance FROM account ORDER BY owner;
SELECT changes(), total_changes() > 0;
PRAGMA integrity_check;
