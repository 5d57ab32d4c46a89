package engine

import (
	"context"
	"log/slog"
)

// runLogger returns base with a run's attributes. They are handed to base's
// handler only when a record is written: a text or JSON handler formats
// attributes as soon as it is given them, and most runs log nothing.
func runLogger(base *slog.Logger, attrs ...slog.Attr) *slog.Logger {
	return slog.New(&lazyAttrs{h: base.Handler(), attrs: attrs})
}

// lazyAttrs is a handler whose attributes are added on first use.
type lazyAttrs struct {
	h     slog.Handler
	attrs []slog.Attr
}

func (l *lazyAttrs) Enabled(ctx context.Context, lvl slog.Level) bool { return l.h.Enabled(ctx, lvl) }

func (l *lazyAttrs) Handle(ctx context.Context, r slog.Record) error {
	return l.h.WithAttrs(l.attrs).Handle(ctx, r)
}

func (l *lazyAttrs) WithAttrs(as []slog.Attr) slog.Handler {
	return l.h.WithAttrs(l.attrs).WithAttrs(as)
}

func (l *lazyAttrs) WithGroup(name string) slog.Handler {
	return l.h.WithAttrs(l.attrs).WithGroup(name)
}
