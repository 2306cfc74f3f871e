"""Small reusable widgets and the colour palette."""
