package engine

import (
	"context"

	"github.com/weirhq/weir"
)

// Version is a resolved version of a flow: what a run of it executes.
type Version struct {
	Name    string // weir.DevelopVersion or the version's name
	ID      string // weir.DevelopVersion or the version's id
	Def     *weir.Definition
	Enabled bool // a disabled version runs nothing
}

// ResolveVersion finds the version of f that idOrName names: "" (or
// "default") for f's default version, "develop", or a version's id or name.
// versions may be nil when only develop exists. It returns NotFound ("Flow
// version was not found") when there is no such version.
func ResolveVersion(ctx context.Context, versions weir.FlowVersionService, f *weir.Flow, idOrName string) (Version, error) {
	if idOrName == "" || idOrName == "default" {
		idOrName = weir.DevelopVersion
		if f.DefaultVersionID != nil {
			idOrName = *f.DefaultVersionID
		}
	}
	if idOrName == weir.DevelopVersion {
		return Version{Name: weir.DevelopVersion, ID: weir.DevelopVersion, Def: &f.Definition, Enabled: true}, nil
	}
	if versions == nil {
		return Version{}, weir.Errorf(weir.NotFound, "Flow version was not found")
	}
	v, err := versions.FindFlowVersion(ctx, f.ApplicationID, f.ID, idOrName)
	if err != nil {
		return Version{}, err
	}
	return Version{Name: v.Version, ID: v.ID, Def: &v.Definition, Enabled: v.Enabled}, nil
}

// runnableDefault resolves f's default version when it can run.
func runnableDefault(ctx context.Context, versions weir.FlowVersionService, f *weir.Flow) (Version, bool) {
	v, err := ResolveVersion(ctx, versions, f, "")
	return v, err == nil && v.Enabled
}
