"""The Wild Apricot dialect (issue 15): its query language, XML rendering and error texts."""
