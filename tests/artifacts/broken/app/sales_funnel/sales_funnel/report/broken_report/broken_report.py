def get_data(filters=None):
	return []
