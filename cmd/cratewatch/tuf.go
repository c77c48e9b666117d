package main

import (
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/cratewatch/cratewatch/index"
	"github.com/cratewatch/cratewatch/tuf"
)

func init() {
	cmd := &cobra.Command{Use: "tuf", Short: "Sign the index with TUF and TAP 16 snapshot Merkle trees, serve and audit it"}
	cmd.AddCommand(tufInitCmd(), tufBuildCmd(), tufUpdateCmd(), tufRotateCmd(), tufServeCmd(), tufAuditCmd(), tufSizesCmd())
	rootCmd.AddCommand(cmd)
}

const (
	targetsKeyFile   = "targets.key"
	timestampKeyFile = "timestamp.key"
)

func openRepo(repo, keys string) (*tuf.Repository, error) {
	var o tuf.Options
	if keys != "" {
		var err error
		if o.TargetsKey, err = tuf.ReadKey(filepath.Join(keys, targetsKeyFile)); err != nil {
			return nil, err
		}
		if o.TimestampKey, err = tuf.ReadKey(filepath.Join(keys, timestampKeyFile)); err != nil {
			return nil, err
		}
	}
	return tuf.Open(repo, o)
}

func tufInitCmd() *cobra.Command {
	var repo, keys, rootOut, keyType string
	var rootKeys, threshold int
	c := &cobra.Command{
		Use:   "init",
		Short: "Create keys and root metadata version 1",
		Long: `init generates the root keys (written to --root-key-out: move them offline, to the
machines or tokens of their holders), the online targets and timestamp keys (written to --keys),
and writes 1.root.json and root.json into --repo, signed by every root key.`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := os.MkdirAll(rootOut, 0o700); err != nil {
				return err
			}
			if err := os.MkdirAll(keys, 0o700); err != nil {
				return err
			}
			var o tuf.InitOptions
			o.RootThreshold = threshold
			for i := range rootKeys {
				k, err := tuf.GenerateKey(keyType)
				if err != nil {
					return err
				}
				if err := tuf.WriteKey(filepath.Join(rootOut, fmt.Sprintf("root-%d.key", i+1)), k); err != nil {
					return err
				}
				o.RootKeys = append(o.RootKeys, k)
			}
			var err error
			if o.TargetsKey, err = newKeyFile(filepath.Join(keys, targetsKeyFile), keyType); err != nil {
				return err
			}
			if o.TimestampKey, err = newKeyFile(filepath.Join(keys, timestampKeyFile), keyType); err != nil {
				return err
			}
			if err := tuf.Init(repo, o); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "wrote %s/root.json (version 1, %d of %d root keys)\nroot keys in %s: move them offline now\nonline keys in %s\n",
				repo, threshold, rootKeys, rootOut, keys)
			return nil
		},
	}
	c.Flags().StringVar(&repo, "repo", "tuf-repo", "repository directory (what the mirror serves)")
	c.Flags().StringVar(&keys, "keys", "tuf-keys", "directory for the online targets and timestamp keys")
	c.Flags().StringVar(&rootOut, "root-key-out", "tuf-root-keys", "directory for the offline root keys")
	c.Flags().StringVar(&keyType, "key-type", tuf.KeyEd25519, "ed25519 or ecdsa-p256")
	c.Flags().IntVar(&rootKeys, "root-keys", 1, "number of root keys")
	c.Flags().IntVar(&threshold, "root-threshold", 1, "root signatures required")
	return c
}

func newKeyFile(path, keyType string) (*tuf.Signer, error) {
	k, err := tuf.GenerateKey(keyType)
	if err != nil {
		return nil, err
	}
	return k, tuf.WriteKey(path, k)
}

func tufBuildCmd() *cobra.Command {
	var repo, keys, indexDir string
	var bits int
	c := &cobra.Command{
		Use:   "build",
		Short: "Sign every index file of an index directory (first build)",
		RunE: func(cmd *cobra.Command, args []string) error {
			r, err := openRepo(repo, keys)
			if err != nil {
				return err
			}
			files, err := tuf.ReadIndex(cmd.Context(), os.DirFS(indexDir))
			if err != nil {
				return err
			}
			st, err := r.Build(cmd.Context(), files, bits)
			if err != nil {
				return err
			}
			return printJSON(cmd, map[string]any{"index_files": len(files), "roles": st.Roles, "tree_version": st.TreeVersion,
				"files_written": st.Files, "bytes_written": st.BytesWritten, "seconds": st.Duration.Seconds()})
		},
	}
	c.Flags().StringVar(&repo, "repo", "tuf-repo", "repository directory")
	c.Flags().StringVar(&keys, "keys", "tuf-keys", "directory of the online keys")
	c.Flags().StringVar(&indexDir, "index", "", "index directory (with config.json)")
	c.Flags().IntVar(&bits, "bin-bits", 0, "hash bins = 2^bits (0: about 16 to 32 crates per bin)")
	c.MarkFlagRequired("index")
	return c
}

func tufUpdateCmd() *cobra.Command {
	var repo, keys, indexDir string
	c := &cobra.Command{
		Use:   "update [CRATE|INDEX-PATH|config.json]...",
		Short: "Re-sign the index files of published or yanked crates; with none, refresh the timestamp",
		RunE: func(cmd *cobra.Command, args []string) error {
			r, err := openRepo(repo, keys)
			if err != nil {
				return err
			}
			var files []tuf.IndexFile
			for _, a := range args {
				p := a
				if !strings.Contains(a, "/") && a != "config.json" {
					if err := index.ValidName(a); err != nil {
						return err
					}
					p = index.Path(a)
				}
				data, err := os.ReadFile(filepath.Join(indexDir, filepath.FromSlash(p)))
				if errors.Is(err, fs.ErrNotExist) {
					data = nil // the crate's index file is gone: remove its target
				} else if err != nil {
					return err
				}
				files = append(files, tuf.IndexFile{Path: p, Data: data})
			}
			st, err := r.Update(cmd.Context(), files)
			if err != nil {
				return err
			}
			return printJSON(cmd, map[string]any{"roles": st.Roles, "tree_version": st.TreeVersion,
				"files_written": st.Files, "bytes_written": st.BytesWritten, "seconds": st.Duration.Seconds()})
		},
	}
	c.Flags().StringVar(&repo, "repo", "tuf-repo", "repository directory")
	c.Flags().StringVar(&keys, "keys", "tuf-keys", "directory of the online keys")
	c.Flags().StringVar(&indexDir, "index", ".", "index directory")
	return c
}

func tufRotateCmd() *cobra.Command {
	var repo, keys, keyType, newRootOut string
	var rootKeyFiles []string
	var newRootKeys, threshold int
	var targets, timestamp bool
	c := &cobra.Command{
		Use:   "rotate",
		Short: "Publish the next root version with rotated keys",
		Long: `rotate signs root version N+1 with the current root keys given by --root-key (at least
the current threshold) and, with --new-root-keys, with new root keys written to --new-root-key-out.
--targets and --timestamp replace the online keys (the old ones are renamed *.revoked) and re-sign
what they signed.`,
		RunE: func(cmd *cobra.Command, args []string) error {
			r, err := openRepo(repo, keys)
			if err != nil {
				return err
			}
			var o tuf.Rotation
			o.RootThreshold = threshold
			for _, f := range rootKeyFiles {
				k, err := tuf.ReadKey(f)
				if err != nil {
					return err
				}
				o.OldRootKeys = append(o.OldRootKeys, k)
			}
			if newRootKeys > 0 {
				if err := os.MkdirAll(newRootOut, 0o700); err != nil {
					return err
				}
				for i := range newRootKeys {
					k, err := newKeyFile(filepath.Join(newRootOut, fmt.Sprintf("root-v%d-%d.key", r.RootVersion()+1, i+1)), keyType)
					if err != nil {
						return err
					}
					o.NewRootKeys = append(o.NewRootKeys, k)
				}
			}
			// New online keys are written beside the old ones first and swapped in only once
			// the new root is published, so a failure leaves the repository as it was.
			pending := map[string]string{}
			for _, want := range []struct {
				on   bool
				file string
				dst  **tuf.Signer
			}{{targets, targetsKeyFile, &o.NewTargetsKey}, {timestamp, timestampKeyFile, &o.NewTimestampKey}} {
				if !want.on {
					continue
				}
				tmp := filepath.Join(keys, want.file+".new")
				if *want.dst, err = newKeyFile(tmp, keyType); err != nil {
					return err
				}
				pending[tmp] = filepath.Join(keys, want.file)
			}
			st, err := r.Rotate(cmd.Context(), o)
			if err != nil {
				for tmp := range pending {
					os.Remove(tmp)
				}
				return err
			}
			for tmp, dst := range pending {
				if err := os.Rename(dst, fmt.Sprintf("%s.%d.revoked", dst, r.RootVersion()-1)); err != nil {
					return err
				}
				if err := os.Rename(tmp, dst); err != nil {
					return err
				}
			}
			return printJSON(cmd, map[string]any{"root_version": r.RootVersion(), "tree_version": st.TreeVersion, "roles_resigned": st.Roles})
		},
	}
	c.Flags().StringVar(&repo, "repo", "tuf-repo", "repository directory")
	c.Flags().StringVar(&keys, "keys", "tuf-keys", "directory of the online keys")
	c.Flags().StringSliceVar(&rootKeyFiles, "root-key", nil, "current root key file (repeat up to the threshold)")
	c.Flags().IntVar(&newRootKeys, "new-root-keys", 0, "replace the root keys with this many new ones")
	c.Flags().StringVar(&newRootOut, "new-root-key-out", "tuf-root-keys", "directory for new root keys")
	c.Flags().IntVar(&threshold, "root-threshold", 0, "new root threshold (0 keeps it)")
	c.Flags().BoolVar(&targets, "targets", false, "replace the targets key")
	c.Flags().BoolVar(&timestamp, "timestamp", false, "replace the timestamp key")
	c.Flags().StringVar(&keyType, "key-type", tuf.KeyEd25519, "type of new keys: ed25519 or ecdsa-p256")
	c.MarkFlagRequired("root-key")
	return c
}

func tufServeCmd() *cobra.Command {
	var repo, indexDir, addr string
	c := &cobra.Command{
		Use:   "serve",
		Short: "Serve the metadata under /tuf/ (and, with --index, the index files under /)",
		RunE: func(cmd *cobra.Command, args []string) error {
			r, err := openRepo(repo, "")
			if err != nil {
				return err
			}
			mux := http.NewServeMux()
			mux.Handle("/tuf/", http.StripPrefix("/tuf", r.Handler()))
			if indexDir != "" {
				mux.Handle("/", http.FileServer(http.Dir(indexDir)))
			}
			srv := &http.Server{Addr: addr, Handler: mux, ReadHeaderTimeout: 10 * time.Second}
			go func() {
				<-cmd.Context().Done()
				srv.Close()
			}()
			fmt.Fprintf(cmd.ErrOrStderr(), "serving %s on %s\n", repo, addr)
			if err := srv.ListenAndServe(); !errors.Is(err, http.ErrServerClosed) {
				return err
			}
			return nil
		},
	}
	c.Flags().StringVar(&repo, "repo", "tuf-repo", "repository directory")
	c.Flags().StringVar(&indexDir, "index", "", "index directory to serve at /")
	c.Flags().StringVar(&addr, "addr", "127.0.0.1:8080", "listen address")
	return c
}

func tufAuditCmd() *cobra.Command {
	var rootFile, metaURL, stateFile string
	var maxTrees int
	c := &cobra.Command{
		Use:   "audit",
		Short: "Replay every snapshot tree since the last run and check no role version decreased",
		RunE: func(cmd *cobra.Command, args []string) error {
			st, err := tuf.LoadAuditState(stateFile)
			if errors.Is(err, fs.ErrNotExist) {
				root, rerr := os.ReadFile(rootFile)
				if rerr != nil {
					return fmt.Errorf("no audit state at %s, and the trusted root: %w", stateFile, rerr)
				}
				st, err = tuf.NewAuditState(root)
			}
			if err != nil {
				return err
			}
			a := &tuf.Auditor{MetadataURL: withSlash(metaURL), MaxTrees: maxTrees}
			rep, aerr := a.Audit(cmd.Context(), st)
			if err := st.Save(stateFile); err != nil {
				return err
			}
			if rep != nil {
				printJSON(cmd, rep)
			}
			if aerr != nil {
				return &exitError{code: 2, err: aerr}
			}
			return nil
		},
	}
	c.Flags().StringVar(&rootFile, "root", "root.json", "trusted root.json (first run only)")
	c.Flags().StringVar(&metaURL, "metadata", "", "metadata base URL (for example https://mirror/tuf/)")
	c.Flags().StringVar(&stateFile, "state", "tuf-audit-state.json", "audit state file")
	c.Flags().IntVar(&maxTrees, "max-trees", 0, "trees to audit in this run (0: up to 100000)")
	c.MarkFlagRequired("metadata")
	return c
}

func tufSizesCmd() *cobra.Command {
	var repo, keys, indexDir string
	c := &cobra.Command{
		Use:   "sizes",
		Short: "Sizes of plain-TUF snapshot and targets metadata for the same index, for comparison",
		RunE: func(cmd *cobra.Command, args []string) error {
			r, err := openRepo(repo, keys)
			if err != nil {
				return err
			}
			files, err := tuf.ReadIndex(cmd.Context(), os.DirFS(indexDir))
			if err != nil {
				return err
			}
			ps, err := r.PlainSizes(files)
			if err != nil {
				return err
			}
			return printJSON(cmd, ps)
		},
	}
	c.Flags().StringVar(&repo, "repo", "tuf-repo", "repository directory")
	c.Flags().StringVar(&keys, "keys", "tuf-keys", "directory of the online keys")
	c.Flags().StringVar(&indexDir, "index", "", "index directory the repository signs")
	c.MarkFlagRequired("index")
	return c
}

func withSlash(u string) string {
	if strings.HasSuffix(u, "/") {
		return u
	}
	return u + "/"
}
