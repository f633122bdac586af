"""Active learning: turn a model run's predictions into reading priorities (pure numpy, no ORM)."""
