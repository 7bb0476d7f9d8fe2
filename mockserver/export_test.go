package mockserver

import "github.com/gorilla/mux"

// ReadFiles are the fixture files the server's declared reads serve.
func (s *Server) ReadFiles() []string { return s.readFiles }

// RouteTemplates lists the path template of every route routes.go registers, once each. It
// registers them again on a router of its own, which adds to the server's route table: call it
// on a server that serves nothing.
func (s *Server) RouteTemplates() []string {
	r := mux.NewRouter()
	s.routes(r)
	seen := map[string]bool{}
	var out []string
	_ = r.Walk(func(route *mux.Route, _ *mux.Router, _ []*mux.Route) error {
		if tpl, err := route.GetPathTemplate(); err == nil && !seen[tpl] {
			seen[tpl] = true
			out = append(out, tpl)
		}
		return nil
	})
	return out
}
