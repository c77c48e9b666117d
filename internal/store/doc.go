// Package store persists what cratewatch knows: crates, versions, dependencies, yank history.
// One implementation over database/sql serves two dialects: SQLite (pure Go, the embedded
// default, WAL) and PostgreSQL (pgx), with the same migrations and the same conformance tests.
package store
