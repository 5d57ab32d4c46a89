// Package nodes implements weir's node types, one file per type. Each file
// registers its type with the engine from init; import the package for its
// side effects:
//
//	import _ "github.com/weirhq/weir/nodes"
package nodes
