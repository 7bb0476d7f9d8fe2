package socketio

import (
	"encoding/json"
	"sync"
)

// Room is the connections of one project, by user: what an event is emitted to.
type Room struct {
	mu     sync.Mutex
	byUser map[int]map[*conn]struct{}
}

// NewRoom returns an empty room.
func NewRoom() *Room { return &Room{byUser: map[int]map[*conn]struct{}{}} }

func (r *Room) add(c *conn) {
	r.mu.Lock()
	defer r.mu.Unlock()
	set := r.byUser[c.member.User]
	if set == nil {
		set = map[*conn]struct{}{}
		r.byUser[c.member.User] = set
	}
	set[c] = struct{}{}
}

func (r *Room) remove(c *conn) {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.byUser[c.member.User], c)
	if len(r.byUser[c.member.User]) == 0 {
		delete(r.byUser, c.member.User)
	}
}

// Emit sends event with data to every connection of user opened as identity and returns how
// many it reached.
func (r *Room) Emit(user int, identity any, event string, data json.RawMessage) (int, error) {
	msg, err := eventMessage(event, data)
	if err != nil {
		return 0, err
	}
	sent := 0
	for _, c := range r.members(user) {
		if c.member.Identity != identity {
			continue
		}
		own := msg
		if c.member.Adapt != nil {
			if own, err = eventMessage(event, c.member.Adapt(data)); err != nil {
				return sent, err
			}
		}
		if c.send(own) {
			sent++
		}
	}
	return sent, nil
}

// DisconnectIf ends, from the server's side, every connection whose member stale reports, and
// returns how many it ended.
func (r *Room) DisconnectIf(stale func(Member) bool) int {
	ended := 0
	for _, c := range r.members(-1) {
		if stale(c.member) {
			c.disconnect()
			ended++
		}
	}
	return ended
}

// Connections returns the connections open for each user who has one.
func (r *Room) Connections() map[int]int {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make(map[int]int, len(r.byUser))
	for user, set := range r.byUser {
		out[user] = len(set)
	}
	return out
}

// DisconnectAll ends every connection of the room from the server's side.
func (r *Room) DisconnectAll() {
	for _, c := range r.members(-1) {
		c.disconnect()
	}
}

// members returns user's connections, or everyone's for -1, so that sending happens outside
// the lock.
func (r *Room) members(user int) []*conn {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []*conn
	for u, set := range r.byUser {
		if user != -1 && u != user {
			continue
		}
		for c := range set {
			out = append(out, c)
		}
	}
	return out
}
