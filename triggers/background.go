package triggers

import "context"

// background is a loop that runs in its own goroutine until stopped: the
// timers' and the inactivity checks'.
type background struct {
	cancel context.CancelFunc
	done   chan struct{}
}

// start runs loop in a goroutine, with a context that stop cancels.
func (b *background) start(loop func(ctx context.Context)) {
	ctx, cancel := context.WithCancel(context.Background())
	b.cancel, b.done = cancel, make(chan struct{})
	go func() {
		defer close(b.done)
		loop(ctx)
	}()
}

// stop cancels the loop and waits for it to return; it does nothing when
// the loop was never started.
func (b *background) stop() {
	if b.cancel != nil {
		b.cancel()
		<-b.done
	}
}
