package scenarios

import "time"

// SetSandboxGrace sets how long past the run's end OwnSandbox awaits its answer, so a test of
// an answer that comes just after the end does not depend on how busy the machine is.
func (t *Target) SetSandboxGrace(d time.Duration) { t.sandboxGrace = d }
