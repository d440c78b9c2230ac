"""The expert pool (专家库) and its workbook."""
