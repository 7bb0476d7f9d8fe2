package socketio

import (
	"encoding/json"
	"sync"
)

// Room is the connections of one project, by user: what an event is emitted to.
type Room struct {
	mu      sync.Mutex
	byUser  map[int]map[*conn]struct{}
	belongs func(Member) bool
	closed  bool
}

// NewRoom returns an empty room. belongs, when set, says whether a member still belongs to the
// project (its person was not removed meanwhile, say): one that no longer does is not let in,
// and DropStrangers ends its connections.
func NewRoom(belongs func(Member) bool) *Room {
	return &Room{byUser: map[int]map[*conn]struct{}{}, belongs: belongs}
}

// add lets c in and reports whether it did: not into a closed room, nor a member that no
// longer belongs. A client may join long after its handshake was checked, and the check here
// is under the lock that DropStrangers and Close take, so a connection is either let in
// before they look or refused after.
func (r *Room) add(c *conn) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed || r.belongs != nil && !r.belongs(c.member) {
		return false
	}
	set := r.byUser[c.member.User]
	if set == nil {
		set = map[*conn]struct{}{}
		r.byUser[c.member.User] = set
	}
	set[c] = struct{}{}
	return true
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

// DropStrangers ends, from the server's side, every connection whose member no longer belongs
// to the project, and returns how many it ended.
func (r *Room) DropStrangers() int {
	if r.belongs == nil {
		return 0
	}
	ended := 0
	for _, c := range r.members(-1) {
		if !r.belongs(c.member) {
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

// Close ends every connection of the room from the server's side and lets no other in: the
// project is gone.
func (r *Room) Close() {
	r.mu.Lock()
	r.closed = true
	r.mu.Unlock()
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
