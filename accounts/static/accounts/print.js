// The "Print these codes" button (a file, not an inline handler: the Content-Security-Policy refuses those).
document.querySelectorAll("[data-print]").forEach((button) => button.addEventListener("click", () => window.print()));
