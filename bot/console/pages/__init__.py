"""The console's pages, one module each (registered in bot.console.site.PAGES)."""
