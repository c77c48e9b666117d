package callgraph

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
)

// Neo4jFiles are the files ExportNeo4j writes, in the order neo4j-admin wants them.
var Neo4jFiles = []string{"crates.csv", "functions.csv", "depends_on.csv", "defines.csv", "calls.csv", "constraints.cypher", "import.sh"}

// ExportNeo4j writes the graph as CSV files for `neo4j-admin database import full` (nodes Crate
// and Function; relationships DEPENDS_ON, DEFINES, CALLS), the Cypher constraints and indexes to
// run after the import, and import.sh with the matching command line.
func ExportNeo4j(g *Graph, dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("neo4j export %s: %w", dir, err)
	}
	write := func(name string, header []string, rows func(emit func(...string) error) error) error {
		p := filepath.Join(dir, name)
		f, err := os.Create(p)
		if err != nil {
			return fmt.Errorf("neo4j export: %w", err)
		}
		bw := bufio.NewWriterSize(f, 1<<20)
		w := csv.NewWriter(bw)
		err = w.Write(header)
		if err == nil {
			err = rows(func(rec ...string) error { return w.Write(rec) })
		}
		w.Flush()
		if err == nil {
			err = w.Error()
		}
		if err == nil {
			err = bw.Flush()
		}
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return fmt.Errorf("neo4j export %s: %w", p, err)
		}
		return nil
	}
	i32 := func(n int32) string { return strconv.Itoa(int(n)) }
	err := write("crates.csv", []string{"id:ID(Crate)", "name", "version", ":LABEL"}, func(emit func(...string) error) error {
		for i, c := range g.Crates {
			if err := emit(strconv.Itoa(i), c.Name, c.Version, "Crate"); err != nil {
				return err
			}
		}
		return nil
	})
	if err == nil {
		err = write("functions.csv", []string{"id:ID(Function)", "path", "name", "owner", "crate", "version", "file", "line:int", "method:boolean", ":LABEL"},
			func(emit func(...string) error) error {
				for i, f := range g.Fns {
					c := &g.Crates[f.Crate]
					if err := emit(strconv.Itoa(i), f.Path, f.Name, f.Owner, c.Name, c.Version, g.Files[f.File], i32(f.Line),
						strconv.FormatBool(f.Flags&FlagMethod != 0), "Function"); err != nil {
						return err
					}
				}
				return nil
			})
	}
	if err == nil {
		err = write("depends_on.csv", []string{":START_ID(Crate)", ":END_ID(Crate)", "name", "req", ":TYPE"}, func(emit func(...string) error) error {
			for i, c := range g.Crates {
				for _, d := range c.Deps {
					if d.Crate >= 0 {
						if err := emit(strconv.Itoa(i), i32(d.Crate), d.Name, d.Req, "DEPENDS_ON"); err != nil {
							return err
						}
					}
				}
			}
			return nil
		})
	}
	if err == nil {
		err = write("defines.csv", []string{":START_ID(Crate)", ":END_ID(Function)", ":TYPE"}, func(emit func(...string) error) error {
			for i, f := range g.Fns {
				if err := emit(i32(f.Crate), strconv.Itoa(i), "DEFINES"); err != nil {
					return err
				}
			}
			return nil
		})
	}
	if err == nil {
		err = write("calls.csv", []string{":START_ID(Function)", ":END_ID(Function)", "kind", "line:int", "col:int", "other_platform:boolean", ":TYPE"}, func(emit func(...string) error) error {
			for _, e := range g.Edges() {
				if err := emit(i32(e.From), i32(e.To), e.Kind.String(), i32(e.Line), i32(e.Col), strconv.FormatBool(e.CfgOff), "CALLS"); err != nil {
					return err
				}
			}
			return nil
		})
	}
	if err != nil {
		return err
	}
	files := map[string]string{
		"constraints.cypher": `CREATE CONSTRAINT crate_id IF NOT EXISTS FOR (c:Crate) REQUIRE c.id IS UNIQUE;
CREATE CONSTRAINT function_id IF NOT EXISTS FOR (f:Function) REQUIRE f.id IS UNIQUE;
CREATE INDEX crate_name IF NOT EXISTS FOR (c:Crate) ON (c.name, c.version);
CREATE INDEX function_path IF NOT EXISTS FOR (f:Function) ON (f.path);
`,
		"import.sh": `#!/bin/sh
# Import into an empty database, then apply constraints.cypher with cypher-shell.
set -e
cd "$(dirname "$0")"
neo4j-admin database import full --overwrite-destination=true \
  --id-type=integer \
  --nodes=crates.csv --nodes=functions.csv \
  --relationships=depends_on.csv --relationships=defines.csv --relationships=calls.csv \
  "${1:-neo4j}"
`,
	}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			return fmt.Errorf("neo4j export: %w", err)
		}
	}
	return nil
}
