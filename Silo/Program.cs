// Placeholder entry point; the real program lands with its issue.
return 0;
