package mockserver

// ReadFiles are the fixture files the server's declared reads serve.
func (s *Server) ReadFiles() []string { return s.readFiles }
