"""Lambda entry points: Connect event in, flat string map out."""
