package nodes

import (
	"time"

	"github.com/dlclark/regexp2/v2"
)

// goja matches regular expressions that Go's RE2 engine cannot run
// (backreferences, lookaround) with regexp2, a backtracking engine. A
// pattern such as /^(a+)+\1$/ on forty a's and a mismatch backtracks for
// longer than any deadline, and the match runs as Go code that the
// watchdog's interrupt cannot reach: the interrupt only takes effect when
// the script's next instruction runs.
//
// regexp2 stops a match after the pattern's MatchTimeout, which it takes
// from DefaultMatchTimeout when goja compiles the pattern. goja then treats
// the stopped match as no match. Setting the timeout to the execution's
// time limit keeps that from ever being observed by a script: the watchdog
// starts no later than any match of the execution, so when a match is
// stopped the runtime has already been interrupted, and the execution ends
// with the TimeoutError at the next instruction. A match therefore outlives
// its execution's time limit, or its run's deadline, by at most the limit.

// setRegexpTimeout bounds every backtracking match compiled from now on.
// Only SetFunctionLimits and init call it, before scripts compile.
func setRegexpTimeout(d time.Duration) {
	regexp2.DefaultMatchTimeout = d
}
