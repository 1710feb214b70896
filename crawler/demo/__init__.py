"""A local career-site server that serves recorded real responses, for the demo and the tests."""
