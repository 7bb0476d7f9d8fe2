package socketio

import (
	"encoding/json"
	"fmt"
	"strings"
)

// Engine.IO (protocol 4) packet types, the first character of every WebSocket text message.
const (
	engineOpen    = '0'
	engineClose   = '1'
	enginePing    = '2'
	enginePong    = '3'
	engineMessage = '4'
)

// Socket.IO (protocol 5) packet types, the character after an Engine.IO message's '4'.
const (
	packetConnect      = '0'
	packetDisconnect   = '1'
	packetEvent        = '2'
	packetConnectError = '4'
)

// packet is a Socket.IO packet as a client sends it: only what the server acts on is kept.
type packet struct {
	kind      byte
	namespace string
}

// parsePacket reads the Socket.IO packet of an Engine.IO message's payload (what follows the
// '4'). A namespace other than the main one is written "/name," after the type, before any
// attachment count, ack id or data.
func parsePacket(payload string) (packet, bool) {
	if payload == "" {
		return packet{}, false
	}
	p := packet{kind: payload[0], namespace: "/"}
	rest := payload[1:]
	if p.kind >= '5' && p.kind <= '6' { // binary packets count their attachments first
		if i := strings.IndexByte(rest, '-'); i >= 0 {
			rest = rest[i+1:]
		}
	}
	if strings.HasPrefix(rest, "/") {
		nsp, _, _ := strings.Cut(rest, ",")
		p.namespace = nsp
	}
	return p, p.kind >= '0' && p.kind <= '6'
}

// reservedEvents are the event names a Socket.IO client keeps for itself: its parser takes an
// event packet under one of them for a broken packet and closes the connection, and a Socket.IO
// server refuses to emit them.
var reservedEvents = map[string]bool{
	"connect": true, "connect_error": true, "disconnect": true, "disconnecting": true,
	"newListener": true, "removeListener": true,
}

// ReservedEvent reports whether no client can be sent an event of this name.
func ReservedEvent(name string) bool { return reservedEvents[name] }

// eventMessage is the WebSocket message that emits event with data to a client.
func eventMessage(event string, data json.RawMessage) ([]byte, error) {
	if ReservedEvent(event) {
		return nil, fmt.Errorf("socketio: %q is a reserved event name", event)
	}
	args, err := json.Marshal([]any{event, data})
	if err != nil {
		return nil, err
	}
	return append([]byte{engineMessage, packetEvent}, args...), nil
}

// connectErrorMessage refuses a namespace the way a Socket.IO server refuses one it has not.
func connectErrorMessage(namespace string) []byte {
	msg := []byte{engineMessage, packetConnectError}
	if namespace != "/" {
		msg = append(msg, namespace+","...)
	}
	return append(msg, `{"message":"Invalid namespace"}`...)
}
