"""The recurrent networks of "Dive into Deep Learning", chapter 9, fully annotated."""
