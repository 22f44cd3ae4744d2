package jiratest

// registerCloud serves Jira Cloud REST v3. (Being written.)
func (s *Server) registerCloud() {}

// cloudTarget finds the user named by the accountId parameter.
func (c *call) cloudTarget() *user { return nil }
