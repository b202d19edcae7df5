"""Reading a question: cleaning, chat history, and the guidance's words for everyday terms."""
