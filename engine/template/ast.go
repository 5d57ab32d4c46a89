package template

// node is one statement of a compiled program: *textNode, *mustacheNode or
// *blockNode.
type node interface{}

// program is a sequence of statements.
type program []node

// textNode is literal output.
type textNode struct {
	text string
}

// mustacheNode prints the value of call, HTML-escaped unless raw.
type mustacheNode struct {
	call *callExpr
	raw  bool
}

// blockKind selects how a block statement renders.
type blockKind int

const (
	blockIf blockKind = iota
	blockUnless
	blockEach
	blockWith
	blockHelper  // any table helper: body when its result is truthy
	blockSection // {{#path}}: Handlebars' blockHelperMissing
)

// blockNode is {{#x}}…{{else}}…{{/x}} (or the inverted {{^x}}…{{/x}}).
type blockNode struct {
	kind    blockKind
	call    *callExpr
	body    program
	inverse program
}

// expr is an argument: *pathExpr, *literalExpr or *callExpr (subexpression).
type expr interface{}

// pathExpr is a context path such as data.a.[0], ../x, this or @root.x.
type pathExpr struct {
	data  bool     // starts with @
	depth int      // number of leading ../
	parts []string // segments after this/../
	// simple is true for a lone unbracketed identifier, the only form that
	// may name a helper.
	simple bool
	// explicit is true for paths starting with this, . or ../, which
	// never name a block parameter.
	explicit bool
}

// literalExpr is a string, number, boolean, null or undefined literal.
type literalExpr struct {
	val any
}

// hashPair is one key=value hash argument.
type hashPair struct {
	key string
	val expr
}

// callExpr is a mustache body or subexpression: a helper call when helper is
// set, otherwise the value of head.
type callExpr struct {
	name   string
	helper *helper
	head   expr
	params []expr
	hash   []hashPair
	// blockParams are the names of "as |x y|" (views' #each and #with).
	blockParams []string
}
