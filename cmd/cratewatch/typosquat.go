package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/cratewatch/cratewatch/depgraph"
	"github.com/cratewatch/cratewatch/typosquat"
	"github.com/spf13/cobra"
)

// corpusEnv names the corpus file when --corpus is not given.
const corpusEnv = "CRATEWATCH_TYPOSQUAT_CORPUS"

// registryNamesEnv names the registry names file when --registry-names is not given.
const registryNamesEnv = "CRATEWATCH_TYPOSQUAT_REGISTRY_NAMES"

func init() {
	var (
		corpusFile, corpusFormat, configFile, namesFile, registryFile string
		corpusSize                                                    int
		asJSON, quiet                                                 bool
	)
	cmd := &cobra.Command{
		Use:   "typosquat [NAME...]",
		Short: "Check crate names for typosquatting of popular crates",
		Long: `typosquat checks each NAME (or each line of --names FILE) against a corpus of popular crates
and prints one line per hit: the target imitated, its rank, the score and every check that matched.

The corpus is --corpus FILE, or the file named by $` + corpusEnv + `: a ranked list, most popular
first, whose first comma-separated field is the name (like top-crates-2024-03.csv), or with
--corpus-format counts, "name,count" lines (downloads or reverse-dependency counts). With
neither, the corpus comes from the store (--db): every crate with dependents, its popularity the
number of crates whose newest version depends on it, so any ingested registry works offline.

--registry-names FILE (or $` + registryNamesEnv + `) lists every name of the registry, one per line,
popular or not (like crate-names-2024-08.txt); with a store corpus the store's names are used.
Knowing them, a filler affix ("-rs", "lib") on a name no other crate uses ("lasso-rs") weighs
more than one on a common word ("md5-rs").

Exit status: 0 when no name is flagged, 2 when at least one is, 1 on error.`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if corpusFile == "" {
				corpusFile = os.Getenv(corpusEnv)
			}
			if registryFile == "" {
				registryFile = os.Getenv(registryNamesEnv)
			}
			if namesFile == "" && len(args) == 0 {
				return errors.New("no names: pass NAME... or --names FILE")
			}
			cfg := typosquat.DefaultConfig()
			if configFile != "" {
				var err error
				if cfg, err = typosquatReadFile(configFile, func(r io.Reader) (typosquat.Config, error) {
					return typosquat.ReadConfig(r, configFile)
				}); err != nil {
					return err
				}
			}
			start := time.Now()
			var corpus *typosquat.Corpus
			var err error
			var registry []string
			if corpusFile == "" {
				corpus, registry, err = storeCorpus(cmd, corpusSize)
				corpusFile = "the store's reverse dependencies"
			} else {
				corpus, err = typosquatReadFile(corpusFile, func(r io.Reader) (*typosquat.Corpus, error) {
					switch corpusFormat {
					case "ranked":
						return typosquat.ReadRanked(r, corpusFile, corpusSize)
					case "counts":
						return typosquat.ReadCounts(r, corpusFile, corpusSize)
					}
					return nil, fmt.Errorf("--corpus-format %q: want ranked or counts", corpusFormat)
				})
			}
			if err != nil {
				return err
			}
			if registryFile != "" {
				if registry, err = typosquatReadFile(registryFile, func(r io.Reader) ([]string, error) { return typosquat.ReadNames(r, registryFile) }); err != nil {
					return err
				}
			}
			if registry != nil {
				if corpus, err = corpus.WithRegistryNames(registry); err != nil {
					return err
				}
			}
			checker, err := typosquat.NewChecker(corpus, cfg)
			if err != nil {
				return err
			}
			loaded := time.Since(start)
			names := args
			if namesFile != "" {
				more, err := typosquatReadFile(namesFile, func(r io.Reader) ([]string, error) { return typosquat.ReadNames(r, namesFile) })
				if err != nil {
					return err
				}
				names = append(names, more...)
			}
			pkgs := make([]typosquat.Package, len(names))
			for i, n := range names {
				pkgs[i] = typosquat.Package{Name: n}
			}
			results, err := checker.CheckMany(cmd.Context(), pkgs, 0)
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			enc := json.NewEncoder(out)
			flagged, failed := 0, 0
			for i, r := range results {
				if r.Err != nil {
					failed++
					fmt.Fprintf(cmd.ErrOrStderr(), "cratewatch: typosquat: name %d %.70q: %v\n", i+1, names[i], r.Err)
					continue
				}
				if len(r.Hits) > 0 {
					flagged++
				}
				for _, h := range r.Hits {
					if asJSON {
						if err := enc.Encode(h); err != nil {
							return err
						}
					} else {
						fmt.Fprintln(out, h.Explain())
					}
				}
			}
			if !quiet && namesFile != "" {
				fmt.Fprintf(cmd.ErrOrStderr(), "checked %d names against %d corpus entries: %d flagged (%.3f%%), %d rejected; corpus %v, checks %v\n",
					len(names), corpus.Len(), flagged, 100*float64(flagged)/float64(max(1, len(names))), failed,
					loaded.Round(time.Millisecond), (time.Since(start) - loaded).Round(time.Millisecond))
			}
			switch {
			case failed > 0:
				return &exitError{1, fmt.Errorf("typosquat: %d names rejected", failed)}
			case flagged > 0:
				return &exitError{2, fmt.Errorf("typosquat: %d of %d names flagged", flagged, len(names))}
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&corpusFile, "corpus", "", "corpus file (default $"+corpusEnv+")")
	f.StringVar(&corpusFormat, "corpus-format", "ranked", "corpus format: ranked or counts")
	f.IntVar(&corpusSize, "corpus-size", 0, "use only the N most popular corpus entries (0: all)")
	f.StringVar(&configFile, "config", "", "TOML configuration (thresholds, checks, allowlist)")
	f.StringVar(&namesFile, "names", "", "file of names to check, one per line")
	f.StringVar(&registryFile, "registry-names", "", "file of every registry name, one per line (default $"+registryNamesEnv+")")
	f.BoolVar(&asJSON, "json", false, "print one JSON object per hit per line")
	f.BoolVarP(&quiet, "quiet", "q", false, "no summary on stderr for --names")
	rootCmd.AddCommand(cmd)
}

// typosquatReadFile opens name and parses it with parse, naming the file in errors.
func typosquatReadFile[T any](name string, parse func(io.Reader) (T, error)) (T, error) {
	f, err := os.Open(name)
	if err != nil {
		var zero T
		return zero, err
	}
	defer f.Close()
	return parse(f)
}

// storeCorpus builds a corpus from the dependency graph of the store: popularity is the count
// of crates whose newest version depends on a crate directly. It also returns every crate name
// of the store.
func storeCorpus(cmd *cobra.Command, size int) (*typosquat.Corpus, []string, error) {
	g, err := loadGraph(cmd)
	if err != nil {
		return nil, nil, fmt.Errorf("no corpus: pass --corpus FILE, set %s, or ingest an index into the store (%w)", corpusEnv, err)
	}
	var counts []typosquat.NameCount
	for _, p := range g.Popularity(depgraph.Filter{}) {
		if p.Direct > 0 {
			counts = append(counts, typosquat.NameCount{Name: p.Name, Count: uint64(p.Direct)})
		}
	}
	names := make([]string, g.NumCrates())
	for i := range names {
		names[i] = g.Name(depgraph.CrateID(i))
	}
	c, err := typosquat.FromCounts(counts, size)
	return c, names, err
}
