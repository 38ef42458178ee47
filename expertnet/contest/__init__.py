"""The Technical Creativity Contest (Hội thi Sáng tạo Kỹ thuật): editions, entries, judging."""
