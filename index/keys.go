package index

import "strings"

// The object keys of an index line and of one of its dependencies, as Cargo spells them, in
// the order of the key constants below.
var (
	recordKeys = []string{"name", "vers", "deps", "cksum", "features", "features2", "yanked", "links", "v", "rust_version", "pubtime"}
	depKeys    = []string{"name", "req", "features", "optional", "default_features", "target", "kind", "registry", "package"}
)

const (
	keyName = iota
	keyVers
	keyDeps
	keyCksum
	keyFeatures
	keyFeatures2
	keyYanked
	keyLinks
	keyV
	keyRustVersion
	keyPubtime
)

const (
	depName = iota
	depReq
	depFeatures
	depOptional
	depDefaultFeatures
	depTarget
	depKind
	depRegistry
	depPackage
)

// recordKey returns the record field that key names exactly, or -1.
func recordKey(key []byte) int {
	switch string(key) {
	case "name":
		return keyName
	case "vers":
		return keyVers
	case "deps":
		return keyDeps
	case "cksum":
		return keyCksum
	case "features":
		return keyFeatures
	case "features2":
		return keyFeatures2
	case "yanked":
		return keyYanked
	case "links":
		return keyLinks
	case "v":
		return keyV
	case "rust_version":
		return keyRustVersion
	case "pubtime":
		return keyPubtime
	}
	return -1
}

// depKey returns the dependency field that key names exactly, or -1.
func depKey(key []byte) int {
	switch string(key) {
	case "name":
		return depName
	case "req":
		return depReq
	case "features":
		return depFeatures
	case "optional":
		return depOptional
	case "default_features":
		return depDefaultFeatures
	case "target":
		return depTarget
	case "kind":
		return depKind
	case "registry":
		return depRegistry
	case "package":
		return depPackage
	}
	return -1
}

// foldedKey handles a key that names none of fields exactly. Cargo's serde ignores it, like
// any unknown key; but encoding/json, which other tools read the same lines with, matches
// keys to fields ignoring case (Unicode simple folding: "Deps", "yan\u212aed" with a Kelvin
// sign), and would read it as that field: a hostile index could show those tools other
// dependencies, checksum or yanked state than Cargo uses. Such a key is an error; foldedKey
// records it and returns the field, whose value is then still read for the errors that come
// before key errors. It returns -1 for a key that is no field's in any case.
func (d *decoder) foldedKey(key []byte, fields []string) int {
	for i, f := range fields {
		if strings.EqualFold(string(key), f) {
			d.keyError(f, "key %.80q differs from it only in case", key)
			return i
		}
	}
	return -1
}
