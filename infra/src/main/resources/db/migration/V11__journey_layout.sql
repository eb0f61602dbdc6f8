-- Where the canvas draws each node of a journey's draft: {"<node id>": {"x": .., "y": ..}}.
-- Kept beside the definition, not in it, so the journey document round-trips unchanged and
-- its versions differ only in what they do. A node without a position is laid out by the canvas.
alter table journey add column layout text;
