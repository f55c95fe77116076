import assert from 'node:assert/strict';
import { test } from 'node:test';
import SQLite from 'better-sqlite3';
import { StatementCache } from './statement-cache.js';

test('a statement is prepared once per SQL text and reused; the least recently used is dropped past the size', () => {
  const handle = new SQLite(':memory:');
  const cache = new StatementCache(handle, 2);
  cache.prepare('create table t (n integer)').run([]);
  const insert = cache.prepare('insert into t values (?)');
  for (let n = 1; n <= 3; n++) assert.equal(cache.prepare('insert into t values (?)'), insert, 'reused');
  for (let n = 1; n <= 3; n++) insert.run([n]);
  const count = cache.prepare('select count(*) as n from t');
  assert.deepEqual(count.all([]), [{ n: 3 }]);
  // Size 2: 'create table' (least recently used) was dropped; insert and count are kept.
  assert.equal(cache.prepare('insert into t values (?)'), insert);
  assert.equal(cache.prepare('select count(*) as n from t'), count);
  cache.prepare('select n from t where n = ?');
  // Now insert was the least recently used: a new statement, which works the same.
  const again = cache.prepare('insert into t values (?)');
  assert.notEqual(again, insert);
  again.run([4]);
  assert.deepEqual(cache.prepare('select count(*) as n from t').all([]), [{ n: 4 }]);
  cache.close();
  assert.equal(handle.open, false);
});

test('a statement still being iterated is not handed out again; the kept one is reused once it is done', () => {
  const handle = new SQLite(':memory:');
  const cache = new StatementCache(handle);
  cache.prepare('create table t (n integer)').run([]);
  for (let n = 1; n <= 3; n++) cache.prepare('insert into t values (?)').run([n]);
  const sql = 'select n from t where n >= ? order by n';
  const streaming = cache.prepare(sql);
  const rows = streaming.iterate([1]);
  assert.deepEqual(rows.next().value, { n: 1 });
  const inner = cache.prepare(sql);
  assert.notEqual(inner, streaming, 'a busy statement is not reused');
  assert.deepEqual(inner.all([2]), [{ n: 2 }, { n: 3 }]);
  assert.deepEqual(
    [...rows].map((r) => (r as { n: number }).n),
    [2, 3],
  );
  assert.equal(cache.prepare(sql), streaming, 'the kept statement again, once its iteration ended');
  cache.close();
});

test('a statement kept across a schema change still reads the new schema', () => {
  const handle = new SQLite(':memory:');
  const cache = new StatementCache(handle);
  cache.prepare('create table t (n integer)').run([]);
  cache.prepare('insert into t values (?)').run([1]);
  const select = cache.prepare('select * from t');
  assert.deepEqual(select.all([]), [{ n: 1 }]);
  cache.prepare('alter table t add column m integer default 7').run([]);
  assert.deepEqual(cache.prepare('select * from t').all([]), [{ n: 1, m: 7 }]);
  cache.close();
});
