package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"time"

	"github.com/cratewatch/cratewatch/internal/store"
)

// factSaver batches per-crate results into the store; a failed write is reported once and
// the run goes on (the results still reach stdout or --out).
type factSaver struct {
	st    store.Store
	kind  string
	batch []store.Fact
	err   error
}

func (s *factSaver) add(ctx context.Context, input, name, version string, v any) {
	data, err := json.Marshal(v)
	if err != nil {
		s.fail(err)
		return
	}
	s.batch = append(s.batch, store.Fact{Input: input, Crate: name, Version: version, Data: data})
	if len(s.batch) >= 100 {
		s.fail(s.flush(ctx))
	}
}

func (s *factSaver) flush(ctx context.Context) error {
	if s.err != nil || len(s.batch) == 0 {
		return s.err
	}
	err := s.st.PutFacts(ctx, s.kind, s.batch, time.Now())
	s.batch = s.batch[:0]
	return err
}

func (s *factSaver) fail(err error) {
	if err != nil && s.err == nil {
		s.err = err
		fmt.Fprintln(os.Stderr, "cratewatch: results are no longer saved in the store:", err)
	}
}
