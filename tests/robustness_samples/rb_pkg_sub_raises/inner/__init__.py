"""A subpackage that refuses to be imported."""

raise RuntimeError("rb_pkg_sub_raises.inner refuses to load")
