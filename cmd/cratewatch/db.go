package main

import (
	"encoding/json"
	"os"

	"github.com/cratewatch/cratewatch/internal/store"
	"github.com/spf13/cobra"
)

var dbURL string

func init() {
	def := os.Getenv("CRATEWATCH_DB")
	if def == "" {
		def = store.DefaultPath()
	}
	rootCmd.PersistentFlags().StringVar(&dbURL, "db", def,
		"store: a SQLite file path or a postgres:// URL (env CRATEWATCH_DB)")
}

// openStore opens the store named by --db.
func openStore(cmd *cobra.Command) (store.Store, error) {
	return store.Open(cmd.Context(), dbURL)
}

// printJSON writes v as indented JSON to the command's output.
func printJSON(cmd *cobra.Command, v any) error {
	enc := json.NewEncoder(cmd.OutOrStdout())
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
