package drift

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
)

// kin-openapi's validation of a recorded answer does not look at ctx: a stop during the
// validation of one that breaks the contract millions of times waited seconds for it. The
// work here ends the ctx and then blocks until the test releases it, which the test does only
// once untilStopped has returned: waiting for the work would block this test for good.
func TestUntilStoppedDoesNotWaitForTheWork(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(t.Context())
	release, finished := make(chan struct{}), make(chan struct{})
	got, ok := untilStopped(ctx, func() []int {
		defer close(finished)
		cancel()
		<-release
		return []int{1}
	})
	assert.False(t, ok)
	assert.Nil(t, got)
	close(release)
	<-finished // the work ends on its own once it is done

	got, ok = untilStopped(t.Context(), func() []int { return []int{2} })
	assert.True(t, ok)
	assert.Equal(t, []int{2}, got)
}
