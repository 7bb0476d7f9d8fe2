package mockserver

import "github.com/gorilla/mux"

// ReadFiles are the fixture files the server's declared reads serve.
func (s *Server) ReadFiles() []string { return s.readFiles }

// RouteTemplates lists the path template of every route the server's router holds, once each.
func (s *Server) RouteTemplates() []string {
	seen := map[string]bool{}
	var out []string
	_ = s.router.Walk(func(route *mux.Route, _ *mux.Router, _ []*mux.Route) error {
		if tpl, err := route.GetPathTemplate(); err == nil && !seen[tpl] {
			seen[tpl] = true
			out = append(out, tpl)
		}
		return nil
	})
	return out
}
