// Package engine compiles flow definitions into immutable runnable graphs and
// executes runs on them.
//
// Node and trigger types are not known here: each registers itself (see
// Register) from its own file in the nodes package. A compiled Graph is safe
// for concurrent runs; a run reaches storage and the outside world only
// through the Env it is given. The Executor takes accepted runs from a
// weir.RunQueue, runs them and records their log entries.
package engine
