"""Default, LGD and analytic reference models (copulas, Basel IRB, Vasicek, Frye-Jacobs)."""
