package postgres

import (
	"errors"
	"fmt"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/weirhq/weir"
)

func TestTypedResourceErrors(t *testing.T) {
	tests := []struct {
		code string
		want weir.ErrorType
	}{
		{codeDiskFull, weir.InsufficientStorage},
		{codeInsufficientResources, weir.Unavailable},
		{codeOutOfMemory, weir.Unavailable},
		{codeTooManyConnections, weir.Unavailable},
		{codeUniqueViolation, weir.Internal},
		{"53400", weir.Internal}, // configuration_limit_exceeded: an operator's setting, not load
	}
	for _, tt := range tests {
		t.Run(tt.code, func(t *testing.T) {
			pgErr := &pgconn.PgError{Code: tt.code, Message: "raised"}
			for _, err := range []error{pgErr, fmt.Errorf("postgres: write: %w", pgErr)} {
				got := typed(err)
				if typ := weir.ErrorTypeOf(got); typ != tt.want {
					t.Errorf("typed(%v) has type %q, want %q", err, typ, tt.want)
				}
				var kept *pgconn.PgError
				if !errors.As(got, &kept) || kept != pgErr || pgCode(got) != tt.code {
					t.Errorf("typed(%v) = %v, lost the server error", err, got)
				}
			}
		})
	}
}

func TestTypedOthersUnchanged(t *testing.T) {
	if typed(nil) != nil {
		t.Error("typed(nil) != nil")
	}
	plain := errors.New("plain")
	if got := typed(plain); got != plain {
		t.Errorf("typed(plain) = %v, want it unchanged", got)
	}
}
