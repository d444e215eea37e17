"""Code generators: the model → files through view models and Jinja templates."""
