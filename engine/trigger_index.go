package engine

import (
	"context"
	"slices"
	"strings"

	"github.com/weirhq/weir"
)

// TriggerTarget is one trigger of an enabled flow's version, with the
// flow, the version's name and the trigger's place among the application's
// flows (so that targets gathered from several lists keep the order a scan
// of the flows gives).
type TriggerTarget struct {
	Flow    *weir.Flow
	Version string // the version's name (weir.DevelopVersion for develop)
	Trigger weir.Trigger
	Order   int // position in the scan: flow by flow, trigger by trigger
}

// TriggerIndex is the triggers of the enabled cloud flows of one
// application (each at its default version, when enabled), by trigger type
// and by type and lower-cased key, and the deviceCommand triggers of its
// enabled cloud, edge and embedded flows. It is built once and then only read;
// its targets are shared and must not be modified.
type TriggerIndex struct {
	byType   map[string][]TriggerTarget
	byKey    map[string][]TriggerTarget
	webhooks map[string][]WebhookTarget
	commands []TriggerTarget // deviceCommand triggers of cloud, edge and embedded flows
}

// TriggerDeviceCommand is the type of the trigger that hears the commands
// sent to devices; it is indexed in edge and embedded flows too.
const TriggerDeviceCommand = "deviceCommand"

// BuildTriggerIndex reads the flows of the application once and indexes
// the triggers of the enabled cloud flows at their default versions, and
// the deviceCommand triggers of the enabled cloud, edge and embedded ones.
func BuildTriggerIndex(ctx context.Context, flows weir.FlowService, versions weir.FlowVersionService, applicationID string) (*TriggerIndex, error) {
	all, err := scanTriggers(ctx, flows, versions, applicationID, "", weir.FlowClassCloud, weir.FlowClassEdge, weir.FlowClassEmbedded)
	if err != nil {
		return nil, err
	}
	ix := &TriggerIndex{byType: map[string][]TriggerTarget{}, byKey: map[string][]TriggerTarget{}}
	var ts []TriggerTarget
	for _, t := range all {
		if t.Trigger.Type == TriggerDeviceCommand {
			ix.commands = append(ix.commands, t)
		}
		if t.Flow.FlowClass != weir.FlowClassCloud {
			continue
		}
		ts = append(ts, t)
		ix.byType[t.Trigger.Type] = append(ix.byType[t.Trigger.Type], t)
		k := indexKey(t.Trigger.Type, t.Trigger.Key)
		ix.byKey[k] = append(ix.byKey[k], t)
	}
	ix.webhooks = webhookTargets(ts)
	return ix, nil
}

// DeviceCommands returns the deviceCommand triggers of the enabled cloud,
// edge and embedded flows, in scan order.
func (ix *TriggerIndex) DeviceCommands() []TriggerTarget {
	return ix.commands
}

// ByType returns the targets whose trigger is of type typ, in scan order.
func (ix *TriggerIndex) ByType(typ string) []TriggerTarget {
	return ix.byType[typ]
}

// ByKey returns the targets whose trigger is of type typ and keyed key
// (compared without case), in scan order.
func (ix *TriggerIndex) ByKey(typ, key string) []TriggerTarget {
	return ix.byKey[indexKey(typ, key)]
}

// Webhooks returns the flows a request to the webhook runs, each once.
func (ix *TriggerIndex) Webhooks(webhookID string) []WebhookTarget {
	return ix.webhooks[strings.ToLower(webhookID)]
}

// MergeTargets returns the targets of lists in scan order.
func MergeTargets(lists ...[]TriggerTarget) []TriggerTarget {
	var out []TriggerTarget
	for _, l := range lists {
		out = append(out, l...)
	}
	slices.SortFunc(out, func(a, b TriggerTarget) int { return a.Order - b.Order })
	return out
}

func indexKey(typ, key string) string {
	return typ + "\x00" + strings.ToLower(key)
}

// scanTriggers reads the enabled flows of the application of the classes
// given (one listing) and returns the triggers of their version named (""
// for the default) when it is enabled, flow by flow in FindFlows order.
func scanTriggers(ctx context.Context, flows weir.FlowService, versions weir.FlowVersionService, applicationID, named string, classes ...string) ([]TriggerTarget, error) {
	filter := weir.FlowFilter{ApplicationID: applicationID}
	if len(classes) == 1 {
		filter.FlowClass = classes[0]
	}
	fs, _, err := flows.FindFlows(ctx, filter)
	if err != nil {
		return nil, err
	}
	var out []TriggerTarget
	for _, f := range fs {
		if !f.Enabled || !slices.Contains(classes, f.FlowClass) {
			continue
		}
		v, err := ResolveVersion(ctx, versions, f, named)
		if weir.ErrorTypeOf(err) == weir.NotFound || err == nil && !v.Enabled {
			continue
		} else if err != nil {
			return nil, err
		}
		for _, t := range v.Def.Triggers {
			out = append(out, TriggerTarget{Flow: f, Version: v.Name, Trigger: t, Order: len(out)})
		}
	}
	return out, nil
}

// webhookTargets returns, by lower-cased webhook id, the flows of ts with
// a webhook trigger for that webhook, each flow once.
func webhookTargets(ts []TriggerTarget) map[string][]WebhookTarget {
	out := map[string][]WebhookTarget{}
	seen := map[string]bool{}
	for _, t := range ts {
		if t.Trigger.Type != TriggerWebhook {
			continue
		}
		key := strings.ToLower(t.Trigger.Key)
		if seen[t.Flow.ID+"\x00"+key] {
			continue
		}
		seen[t.Flow.ID+"\x00"+key] = true
		out[key] = append(out[key], WebhookTarget{Flow: t.Flow, Version: t.Version})
	}
	return out
}
