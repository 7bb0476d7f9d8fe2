package containertest

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	dc "github.com/ory/dockertest/v3/docker"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// ownerLabel marks each container these tests start with "<host>/<pid>" of the test binary.
// A binary killed mid-run cannot purge its containers; the next run on the same host removes
// those whose owner is gone. This replaces dockertest's Resource.Expire, which kills a
// container a fixed time after it starts, whether its tests are done with it or not.
const ownerLabel = "org.oneentry-mock.containertest.owner"

func ownerLabels() map[string]string {
	return map[string]string{ownerLabel: ownerOf(os.Getpid())}
}

func ownerOf(pid int) string {
	host, _ := os.Hostname()
	return host + "/" + strconv.Itoa(pid)
}

// reapOrphans removes the containers and then the volumes an earlier test binary on this host
// left behind, and returns how many it removed. Those of a live binary or of another host are
// kept.
func reapOrphans(client *dc.Client) (int, error) {
	removed, err := reapContainers(client)
	if err != nil {
		return removed, err
	}
	volumes, err := reapVolumes(client)
	return removed + volumes, err
}

func reapContainers(client *dc.Client) (int, error) {
	containers, err := client.ListContainers(dc.ListContainersOptions{
		All:     true,
		Filters: map[string][]string{"label": {ownerLabel}},
	})
	if err != nil {
		return 0, fmt.Errorf("list containers: %w", err)
	}
	return removeOrphaned(containers, func(c dc.APIContainers) map[string]string { return c.Labels }, func(c dc.APIContainers) error {
		err := client.RemoveContainer(dc.RemoveContainerOptions{ID: c.ID, Force: true, RemoveVolumes: true})
		var missing *dc.NoSuchContainer
		if err != nil && !errors.As(err, &missing) {
			return fmt.Errorf("remove container %s: %w", c.ID, err)
		}
		return nil
	})
}

func reapVolumes(client *dc.Client) (int, error) {
	volumes, err := client.ListVolumes(dc.ListVolumesOptions{Filters: map[string][]string{"label": {ownerLabel}}})
	if err != nil {
		return 0, fmt.Errorf("list volumes: %w", err)
	}
	return removeOrphaned(volumes, func(v dc.Volume) map[string]string { return v.Labels }, func(v dc.Volume) error {
		err := client.RemoveVolumeWithOptions(dc.RemoveVolumeOptions{Name: v.Name, Force: true})
		if err != nil && !errors.Is(err, dc.ErrNoSuchVolume) {
			return fmt.Errorf("remove volume %s: %w", v.Name, err)
		}
		return nil
	})
}

// removeOrphaned calls remove for each of items whose owner label names an ended binary of this
// host, and returns how many it removed; remove treats one already gone as removed.
func removeOrphaned[T any](items []T, labels func(T) map[string]string, remove func(T) error) (int, error) {
	host, _ := os.Hostname()
	removed := 0
	for _, it := range items {
		if !orphaned(labels(it)[ownerLabel], host) {
			continue
		}
		if err := remove(it); err != nil {
			return removed, err
		}
		removed++
	}
	return removed, nil
}

// orphaned reports whether owner ("<host>/<pid>") names a process of this host that has ended.
func orphaned(owner, host string) bool {
	ownerHost, pidText, ok := strings.Cut(owner, "/")
	if !ok || ownerHost != host {
		return false
	}
	pid, err := strconv.Atoi(pidText)
	if err != nil || pid <= 0 {
		return false
	}
	return processEnded(pid)
}

func TestOrphanedOwners(t *testing.T) {
	host, endedPID := endedProcess(t)

	assert.True(t, orphaned(host+"/"+endedPID, host), "a binary of this host that has ended")
	assert.False(t, orphaned(ownerOf(os.Getpid()), host), "this binary")
	assert.False(t, orphaned("another-host/"+endedPID, host), "a binary of another host")
	for _, owner := range []string{"", host, host + "/", host + "/x", host + "/0", host + "/-1"} {
		assert.False(t, orphaned(owner, host), "unreadable owner %q", owner)
	}
}

// Only what an ended binary of this host owns is removed; a failed removal stops the reaping
// with the count so far.
func TestRemoveOrphanedTakesOnlyEndedBinariesOfThisHost(t *testing.T) {
	host, endedPID := endedProcess(t)
	owners := []string{host + "/" + endedPID, ownerOf(os.Getpid()), "another-host/" + endedPID, host + "/x", host + "/" + endedPID}
	items := []int{0, 1, 2, 3, 4}
	labels := func(i int) map[string]string { return map[string]string{ownerLabel: owners[i]} }

	var gone []int
	removed, err := removeOrphaned(items, labels, func(i int) error {
		gone = append(gone, i)
		return nil
	})
	require.NoError(t, err)
	assert.Equal(t, 2, removed)
	assert.Equal(t, []int{0, 4}, gone)

	failure := errors.New("daemon away")
	removed, err = removeOrphaned(items, labels, func(i int) error {
		if i == 4 {
			return failure
		}
		return nil
	})
	assert.ErrorIs(t, err, failure)
	assert.Equal(t, 1, removed)
}

// A container and a volume left by a test binary that has ended are removed by the next run;
// those of a running binary are not.
func TestLeftoversOfAnEndedRunAreRemoved(t *testing.T) {
	t.Parallel()
	h := dockerImage(t)
	host, endedPID := endedProcess(t)
	endedOwner := map[string]string{ownerLabel: host + "/" + endedPID}

	create := func(labels map[string]string) string {
		c, err := h.pool.Client.CreateContainer(dc.CreateContainerOptions{
			Config: &dc.Config{Image: h.image, Labels: labels},
		})
		require.NoError(t, err)
		t.Cleanup(func() {
			_ = h.pool.Client.RemoveContainer(dc.RemoveContainerOptions{ID: c.ID, Force: true})
		})
		return c.ID
	}
	orphan, live := create(endedOwner), create(ownerLabels())
	volume, err := h.pool.Client.CreateVolume(dc.CreateVolumeOptions{
		Name:   "oneentry-mock-test-orphan-" + strconv.FormatInt(time.Now().UnixNano(), 36),
		Labels: endedOwner,
	})
	require.NoError(t, err)
	t.Cleanup(func() { _ = h.pool.Client.RemoveVolumeWithOptions(dc.RemoveVolumeOptions{Name: volume.Name}) })

	removed, err := reapOrphans(h.pool.Client)
	require.NoError(t, err)
	assert.GreaterOrEqual(t, removed, 2)

	_, err = h.pool.Client.InspectContainer(orphan)
	var missing *dc.NoSuchContainer
	assert.ErrorAs(t, err, &missing, "the ended run's container")
	_, err = h.pool.Client.InspectContainer(live)
	assert.NoError(t, err, "this run's container")
	_, err = h.pool.Client.InspectVolume(volume.Name)
	assert.ErrorIs(t, err, dc.ErrNoSuchVolume, "the ended run's volume")
}
