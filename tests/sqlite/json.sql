-- The JSON functions: building, extracting, editing, and json_each/tree.
CREATE TABLE doc(id INTEGER PRIMARY KEY, body TEXT);
INSERT INTO doc(body) VALUES
  ('{"name":"ada","tags":["math","eng"],"age":36,"addr":{"city":"London","zip":null}}'),
  ('{"name":"bob","tags":[],"age":41.5,"addr":{"city":"Paris"}}'),
  ('[1,2,{"deep":[true,false,null]}]'),
  ('not json');
SELECT id, json_valid(body), json_type(body) FROM doc WHERE json_valid(body) OR id = 4;
SELECT json_extract(body, '$.name'), json_extract(body, '$.addr.city'), body ->> '$.age',
  body -> '$.tags' FROM doc WHERE id <= 2;
SELECT json_array_length(body, '$.tags'), json_extract(body, '$.tags[#-1]') FROM doc WHERE id <= 2;
SELECT json_set(body, '$.age', 37, '$.new', json('[1,2]')) FROM doc WHERE id = 1;
SELECT json_remove(body, '$.tags', '$.addr.zip'), json_replace(body, '$.name', 'ADA') FROM doc WHERE id = 1;
SELECT json_insert('{"a":1}', '$.a', 2, '$.b', 3), json_patch('{"a":1,"b":{"c":2}}', '{"b":{"c":null,"d":4}}');
SELECT key, value, type, atom, path FROM doc, json_each(doc.body) WHERE doc.id = 1;
SELECT fullkey, type FROM json_tree((SELECT body FROM doc WHERE id = 3));
SELECT json_group_array(name) FROM (SELECT body ->> '$.name' AS name FROM doc WHERE id <= 2);
SELECT json_group_object(body ->> '$.name', body ->> '$.age') FROM doc WHERE id <= 2;
SELECT json_object('pi', pi(), 'e', exp(1), 'big', 9007199254740993, 'neg', -0.0, 'text', 'a"b\c');
SELECT json_quote('x'), json_quote(3.5), json_quote(NULL), json('  { "a" : [ 1 , 2 ] }  ');
SELECT json_extract('{"a":1}', '$.a.b'), json_extract('[1,2]', '$[5]');
SELECT json_extract(body, '$.x') FROM doc WHERE id = 4;
SELECT json('{"unterminated": ');
SELECT 'still here';
