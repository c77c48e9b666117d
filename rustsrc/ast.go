package rustsrc

// ItemKind is the kind of an item.
type ItemKind uint8

// Item kinds.
const (
	ItemMod         ItemKind = iota // mod x { } or mod x;
	ItemFn                          // fn, including methods, trait methods and foreign fns
	ItemImpl                        // impl [Trait for] Type { }
	ItemTrait                       // trait X { }
	ItemStruct                      // struct X
	ItemEnum                        // enum X
	ItemUnion                       // union X
	ItemTypeAlias                   // type X = ...; (also associated and foreign types)
	ItemConst                       // const X: T = ...;
	ItemStatic                      // static [mut] X: T = ...;
	ItemUse                         // use ...; (its paths are in ParsedFile.Uses)
	ItemExternCrate                 // extern crate x [as y];
	ItemExternBlock                 // [unsafe] extern "ABI" { ... }
	ItemMacroRules                  // macro_rules! name { ... }
	ItemMacroCall                   // name! { ... } at item position (its invocation is in ParsedFile.Macros)
	numItemKinds
)

var itemKindNames = [numItemKinds]string{"mod", "fn", "impl", "trait", "struct", "enum", "union", "type",
	"const", "static", "use", "extern crate", "extern block", "macro_rules", "macro call"}

func (k ItemKind) String() string {
	if k < numItemKinds {
		return itemKindNames[k]
	}
	return "item?"
}

// None is the index used for "no enclosing item" and "no macro".
const None = -1

// Item is one item. Strings share memory with the source. Index fields refer to ParsedFile slices.
type Item struct {
	Kind   ItemKind
	Name   string // mod, fn, type, const/static, trait, macro_rules name; extern crate: the crate; impl: ""
	Parent int32  // enclosing item (mod, impl, trait, extern block, fn) or None at file level
	Pos    int32  // byte offset of the item keyword's first qualifier (after attributes)
	End    int32  // byte offset just past the item
	Attrs  []Attr // outer attributes, and inner ones (#![...]) of an inline mod, trait, impl or fn body

	Vis    string // "", "pub", "pub(crate)", "pub(super)", "pub(in a::b)" as written
	Unsafe bool   // unsafe fn / impl / trait / extern block
	Const  bool   // const fn
	Async  bool   // async fn
	Extern bool   // extern fn or extern block
	ABI    string // the ABI string without quotes ("C", "system"); "" for none or bare extern

	// Fn: HasSelf is true for methods taking self; Body is the token range inside its braces
	// ([0,0) when there is none: trait method declarations, foreign fns).
	HasSelf            bool
	BodyStart, BodyEnd int32

	// Impl: the self type and trait as written; SelfName and TraitName are their last path
	// segment identifiers (Vec for Vec<T>, Display for fmt::Display). Negative: impl !Trait for T.
	SelfType, SelfName string
	Trait, TraitName   string
	Negative           bool

	Inline bool   // mod with a body in this file
	Alias  string // extern crate x as Alias
	Macro  int32  // ItemMacroCall and ItemMacroRules: index in ParsedFile.Macros, or None
}

// Attr is an attribute #[path args] or #![path args]. #[unsafe(no_mangle)] is Path "no_mangle"
// with Unsafe set.
type Attr struct {
	Inner  bool
	Unsafe bool
	Path   string // "cfg", "path", "no_mangle", "link", "proc_macro_derive", "serde"... as written
	// Value is the unquoted string of #[path = "value"]; "" when the attribute has no such value.
	Value string
	// ArgsStart, ArgsEnd is the token range of the arguments inside the delimiters of
	// #[path(args)]; both are 0 when there are none.
	ArgsStart, ArgsEnd int32
	Pos, End           int32
}

// Use is one leaf of a use tree, flattened: use a::{b, c as d, e::*}; gives three.
type Use struct {
	Path  []string // segments as written ("crate", "self", "super", "::" not included); for {self}, the prefix
	Alias string   // the name after "as" ("_" included), or ""
	Glob  bool     // ends in ::*
	Vis   string   // visibility of the use item: "pub" marks a re-export
	Item  int32    // the ItemUse
	Scope int32    // the item whose namespace the use is in (mod, fn, ...) or None for the file
	Pos   int32
}

// Name is the name the use brings into scope: the alias, or the last segment, or "" for a glob.
func (u *Use) Name() string {
	switch {
	case u.Glob:
		return ""
	case u.Alias != "":
		return u.Alias
	case len(u.Path) > 0:
		return u.Path[len(u.Path)-1]
	}
	return ""
}

// CallKind says how a function is called.
type CallKind uint8

const (
	CallPath   CallKind = iota // a::b::c(...), Self::f(...), <T as Trait>::f(...)
	CallMethod                 // recv.m(...), recv.m::<T>(...)
)

// Call is a call site as written: nothing is resolved here (see the callgraph package).
type Call struct {
	Kind CallKind
	// Path holds the path segments with generic arguments removed: ["Vec", "new"], ["Self", "f"],
	// ["crate", "a", "g"]; for a method call, the one method name.
	Path []string
	// QSelf and QTrait are the parts of a qualified path: <QSelf as QTrait>::f or <QSelf>::f.
	QSelf, QTrait string
	// Receiver is the method call receiver when it is a plain identifier or self, else "".
	Receiver  string
	Turbofish bool
	Fn        int32 // the innermost enclosing item (usually a fn) or None
	Macro     int32 // the innermost enclosing macro invocation, or None
	Pos       int32 // byte offset of the first path token or of the method name
}

// MacroCall is a macro invocation path!(...), path![...] or path!{...}.
type MacroCall struct {
	Path []string
	// Open and Close are the token indexes of the delimiters; the token tree is Tokens[Open+1:Close].
	Open, Close int32
	Fn          int32 // innermost enclosing item or None
	Parent      int32 // enclosing macro invocation or None
	Pos         int32
}

// Let is a local type hint: let x: Type, let x = Type::f(...) / Type { .. }, or a fn parameter
// x: Type (references, lifetimes, mut, dyn and impl stripped).
type Let struct {
	Name string
	Type string // path as written without generics: "HashMap", "std::fs::File"
	// FromInit is true when the type was taken from the initialiser (Type::new(), Type { }),
	// false when written as an annotation.
	FromInit bool
	Param    bool // a parameter of Fn
	Fn       int32
	Pos      int32
}

// UnsafeBlock is an unsafe { } block inside a body.
type UnsafeBlock struct {
	Pos, End int32
	Fn       int32
}

// SkipReason says why a region was skipped.
type SkipReason uint8

const (
	SkipLexError      SkipReason = iota // a byte run the lexer could not read, or an unterminated literal
	SkipUnmatched                       // a closing delimiter without an opening one
	SkipUnclosed                        // an opening delimiter never closed (closed at a mismatch or at end of file)
	SkipUnexpected                      // tokens at item position that start no item
	SkipTooDeep                         // nesting deeper than the configured limit
	SkipTooManyTokens                   // the file exceeded the token limit; the rest was not read
	numSkipReasons
)

var skipReasonNames = [numSkipReasons]string{"lex error", "unmatched close delimiter", "unclosed delimiter",
	"unexpected tokens at item position", "nesting too deep", "token limit"}

func (r SkipReason) String() string {
	if r < numSkipReasons {
		return skipReasonNames[r]
	}
	return "skip?"
}

// SkipReasons lists every reason, for reports.
func SkipReasons() []SkipReason {
	rs := make([]SkipReason, numSkipReasons)
	for i := range rs {
		rs[i] = SkipReason(i)
	}
	return rs
}

// Skip is a region the parser could not read and skipped; everything around it was analysed.
type Skip struct {
	Reason   SkipReason
	Pos, End int32
}

// ParsedFile is everything the parser found in one file. Items are in source order with parents
// before children; every other slice is in source order.
type ParsedFile struct {
	*File
	Tokens []Token
	// Match pairs delimiters: for an opening delimiter, the index of its closing one (or of the
	// token where it was closed by force, FlagUnclosed set: at a mismatched closer, or the very next
	// token for one still open at end of file); for a
	// closing one, its opening one; -1 otherwise and for stray closers (FlagStray set).
	Match      []int32
	InnerAttrs []Attr // #![...] at file level
	Items      []Item
	Uses       []Use
	Calls      []Call
	Macros     []MacroCall
	Lets       []Let
	Unsafe     []UnsafeBlock
	// Skipped lists skipped regions in source order, at most MaxSkips of them; SkipCounts counts
	// every one by reason.
	Skipped    []Skip
	SkipCounts [numSkipReasons]int
}

// MaxSkips caps the skipped regions listed per file: hostile input can have one per token.
const MaxSkips = 4096

func (pf *ParsedFile) addSkip(s Skip) {
	pf.SkipCounts[s.Reason]++
	if len(pf.Skipped) < MaxSkips {
		pf.Skipped = append(pf.Skipped, s)
	}
}

// ItemAt returns the innermost item whose span holds the byte offset off, or None. Items are in
// source order with parents first, so the last one that holds off is the innermost.
func (pf *ParsedFile) ItemAt(off int32) int32 {
	found := int32(None)
	for i := range pf.Items {
		it := &pf.Items[i]
		if it.Pos > off {
			break
		}
		if off < it.End {
			found = int32(i)
		}
	}
	return found
}
