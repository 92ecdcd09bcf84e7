"""Every result object: a simulation's, a streaming run's, a timeline's."""
