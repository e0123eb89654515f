def execute(filters=None):
	return [], []
