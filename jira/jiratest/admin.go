package jiratest

// registerAdmin serves the Atlassian Admin API. (Being written.)
func (s *Server) registerAdmin() {}
